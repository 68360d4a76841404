export { main, EXIT } from './main.js';
export { scanCommand, type ScanCommandOptions, type ScanCommandResult } from './scan.js';
export { demoCommand } from './demo.js';
export { demoRegistryPath, demoScenario, demoWorld, plantedProblems, type PlantedProblem } from './demo-world.js';
export { renderSummary } from './summary.js';
export { reporters, scanners } from './tables.js';
export { lintCommand, LINT_HELP } from './lint.js';
