/** GET /api/health, GET/PUT /api/config. */
import type { FastifyInstance } from 'fastify';
import { labConfigPatchSchema } from '../../../common/config';
import { parseWith } from '../errors';
import type { Lab } from '../lab';

export async function controlRoutes(app: FastifyInstance, { lab }: { lab: Lab }): Promise<void> {
  app.get('/api/health', async () => lab.health());
  app.get('/api/config', async () => lab.currentConfig());
  app.put('/api/config', async (request) => {
    // No body is an empty patch; a JSON null is not a config.
    const patch = parseWith(labConfigPatchSchema, request.body === undefined ? {} : request.body, 'config');
    return lab.applyConfig(patch);
  });
}
