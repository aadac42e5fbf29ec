import { requirePrincipal } from '../../http/auth.js';
import { createRouter } from '../../http/router.js';
import * as routes from './uploads.routes.js';
import * as service from './uploads.service.js';

export function uploadsRouter() {
  return createRouter()
    .openapi(routes.createUpload, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      return c.json(await service.createUpload(c.get('deps'), principal, c.req.valid('json')), 201);
    })
    .openapi(routes.completeUpload, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const upload = await service.completeUpload(c.get('deps'), principal, c.req.valid('param').id);
      return c.json(service.presentUpload(upload), 200);
    })
    .openapi(routes.getUpload, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const upload = await service.visibleUpload(c.get('deps'), principal, c.req.valid('param').id);
      return c.json(service.presentUpload(upload), 200);
    });
}
