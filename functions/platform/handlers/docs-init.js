// The docs page's Swagger UI (GET /docs, functions/platform/handlers/docs.ts serves this file as docs/docs-init.js).
// A file of its own rather than an inline script, so the page's CSP can say script-src 'self'.
/* global window, document, URL, SwaggerUIBundle */

// A 200 from these carries {token, ...}: the page authorizes itself with it (the bearerAuth scheme of openapi.json).
const TOKEN_ISSUERS = /\/(?:login|token\/refresh)$/;
// After these the token's session is over: the page forgets it.
const SESSION_ENDERS = /\/(?:logout|sessions\/revoke)$/;

function tokenOf(response) {
  const body = response.body ?? response.obj;
  return body && typeof body.token === 'string' && body.token !== '' ? body.token : undefined;
}

const ui = SwaggerUIBundle({
  // The stage's own description: /openapi.json locally, /<stage>/openapi.json on API Gateway (the page says which).
  url: document.getElementById('swagger-ui').dataset.openapiUrl,
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
  layout: 'BaseLayout',
  // No badge from validator.swagger.io: the page talks to this stage only.
  validatorUrl: null,
  // The token survives a reload of the page (Swagger UI keeps it in localStorage).
  persistAuthorization: true,
  // "Try it out" on POST /login (or /token/refresh): use the token it returned for the protected routes.
  responseInterceptor: (response) => {
    const path = new URL(response.url, window.location.href).pathname;
    if (response.status === 200 && TOKEN_ISSUERS.test(path)) {
      const token = tokenOf(response);
      if (token) ui.preauthorizeApiKey('bearerAuth', token);
    } else if (response.ok && SESSION_ENDERS.test(path)) {
      ui.authActions.logout(['bearerAuth']);
    }
    return response;
  },
});
