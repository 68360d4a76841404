import type { Scanner } from '@govscan/core';

/** Placeholder: being written. Emits nothing. */
export const tls = {
  id: 'tls',
  title: { zh: 'tls', en: 'tls' },
  emits: [],
  async scan() {
    return { observations: [], attempts: [] };
  },
} as const satisfies Scanner;
