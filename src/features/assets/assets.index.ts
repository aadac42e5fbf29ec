import { createRouter } from '../../http/router.js';

export function assetsRouter() {
  return createRouter();
}
