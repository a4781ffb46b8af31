/**
 * The signed-in key lives in sessionStorage only: it goes when the tab
 * closes, is not shared with other tabs, and never reaches a cookie the
 * browser would send on its own.
 */
const KEY_ITEM = 'collection-service.key';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_ITEM),
  signIn: (key: string) => sessionStorage.setItem(KEY_ITEM, key),
  signOut: () => sessionStorage.removeItem(KEY_ITEM),
};

export type Role = 'read-write' | 'read-only' | 'decider';

export interface Whoami {
  domain: string;
  role: Role;
}
