import type { EventEmitter } from 'node:events';

/**
 * Runs `start` (a server's listen or a socket's bind) and settles on what the
 * emitter reports first: resolves on 'listening', rejects on 'error'. The
 * other listener is removed either way.
 */
export function whenListening(emitter: EventEmitter, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      emitter.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      emitter.off('error', onError);
      resolve();
    };
    emitter.once('error', onError);
    emitter.once('listening', onListening);
    start();
  });
}
