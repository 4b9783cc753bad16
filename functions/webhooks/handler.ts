/**
 * Webhook ingestion (one Lambda behind `POST /webhooks/…`): portals and form tools (signed JSON),
 * phone systems (Twilio Voice, Zammad-style CTI) and chat tools (transcripts) — see
 * docs/webhooks.md. Every answer is decided before anything is stored: an unknown integration is
 * 404, a malformed path or an oversized header 400, a body over its limit 413, a bad signature or
 * token 401, over its rate 429, a body or event id that does not read 400/422 naming the field;
 * only a genuine, valid delivery is kept, exactly once (core/webhooks/identity.ts).
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { errorResponse, HttpError, type HttpResult, json } from '../shared/http';
import { withMetrics } from '../shared/metrics';
import { getRuntime, logger } from '../shared/runtime';
import { chatDelivery, genericDelivery } from './deliveries';
import { ctiDelivery, twilioDelivery } from './phone';
import { deliveryOf, routeOf } from './request';

async function receive(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  if (event.requestContext.http.method !== 'POST') throw new HttpError(405, 'webhooks are delivered with POST', {}, { allow: 'POST' });
  const route = routeOf(event.rawPath);
  const rt = getRuntime();
  const integration = route && rt.policy.integrations.find((candidate) => candidate.id === route.id && route.kinds.includes(candidate.kind));
  if (!route || !integration) throw new HttpError(404, 'no such integration');
  logger.appendKeys({ integration: integration.id, kind: integration.kind });
  const size = event.body ? Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : 0;
  if (size > integration.maxBodyBytes) throw new HttpError(413, `the body is over this integration's limit of ${integration.maxBodyBytes} bytes`, { field: '(body)' });
  const delivery = deliveryOf(integration, event, Date.now());
  switch (integration.kind) {
    case 'generic':
      return genericDelivery(rt, { ...delivery, integration });
    case 'chat':
      return chatDelivery(rt, { ...delivery, integration });
    case 'twilio':
      return twilioDelivery(rt, { ...delivery, integration });
    case 'cti':
      return ctiDelivery(rt, { ...delivery, integration }, route.token!);
  }
}

export const handler = withMetrics(
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      let result: HttpResult;
      try {
        result = await receive(event);
      } catch (error) {
        const answer = errorResponse(error);
        if (!answer) {
          logger.error('webhook delivery failed', { error: error as Error });
          return json(500, { message: 'internal error; retry the delivery (a delivery is applied once, however often it comes)' });
        }
        result = answer;
      }
      // Structured and without the payload or any secret: what came, from which integration, and the answer.
      logger.info('webhook delivery', { status: result.statusCode, metric: result.statusCode < 300 ? 'WebhookAccepted' : 'WebhookRejected' });
      return result;
    }),
);
