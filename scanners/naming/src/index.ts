import type { Scanner } from '@govscan/core';

/** Placeholder: being written. Emits nothing. */
export const naming = {
  id: 'naming',
  title: { zh: 'naming', en: 'naming' },
  emits: [],
  async scan() {
    return { observations: [], attempts: [] };
  },
} as const satisfies Scanner;
