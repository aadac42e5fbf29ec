import { createRouter } from '../../http/router.js';

export function editionsRouter() {
  return createRouter();
}
