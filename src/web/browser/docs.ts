/**
 * /docs: Swagger UI from the pinned swagger-ui-dist package, bundled and served by the app itself,
 * so the reference works with no network beyond this server.
 */
import 'swagger-ui-dist/swagger-ui.css';
import './docs-contrast.css';
// @ts-expect-error the UMD bundle ships no types
import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-bundle.js';

SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  // A deep link puts an <a> inside each operation's toggle button (nested interactive controls).
  deepLinking: false,
  // The schema browser below the operations repeats them; each operation shows its own schemas.
  defaultModelsExpandDepth: -1,
  // The default sends the document to validator.swagger.io: no request may leave this origin.
  validatorUrl: null,
  tryItOutEnabled: false,
});
