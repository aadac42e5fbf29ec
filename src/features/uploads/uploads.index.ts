import { createRouter } from '../../http/router.js';

export function uploadsRouter() {
  return createRouter();
}
