import type { Scanner } from '@govscan/core';

/** Placeholder: being written. Emits nothing. */
export const headers = {
  id: 'headers',
  title: { zh: 'headers', en: 'headers' },
  emits: [],
  async scan() {
    return { observations: [], attempts: [] };
  },
} as const satisfies Scanner;
