import type { FastifyInstance } from 'fastify';

/** Whether a concrete path fits a route pattern, where a `:param` segment stands for any one non-empty segment. */
function fits(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  return want.length === got.length && want.every((seg, i) => (seg.startsWith(':') ? got[i] !== '' : seg === got[i]));
}

/**
 * Makes `app` answer unknown routes in the documented error shape instead of Fastify's own:
 * 405 `MethodNotAllowed` with an `Allow` header when the path is a route under other methods,
 * 404 `NotFound` otherwise. Call it before registering routes: it learns them as they are added.
 */
export function answerUnknownRoutes(app: FastifyInstance): void {
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = [...new Set(routes.filter((r) => fits(r.url, path)).map((r) => r.method))];
    if (allowed.length > 0) {
      const message = `${request.method} is not allowed on ${path}; use ${allowed.join(' or ')}`;
      return reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send({ error: { type: 'MethodNotAllowed', message } });
    }
    return reply.status(404).send({ error: { type: 'NotFound', message: `no route ${request.method} ${path}` } });
  });
}
