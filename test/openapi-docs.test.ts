// The OpenAPI document (derived, valid 3.1) and the docs page, loaded in a
// real headless Chromium.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { chromium } from 'playwright-core';
import { loadCollections } from '../src/collections/registry.js';
import { entitySchema } from '../src/entity/json-schema.js';
import { IP, RR, useService } from './support/service.js';

const CHROMIUM = '/usr/bin/chromium';

describe('OpenAPI and docs', () => {
  const service = useService();
  const { api } = service;

  test('/openapi.json is a valid OpenAPI 3.1 document', async () => {
    const reply = await api.request('GET', '/openapi.json', undefined, { authorization: '' });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.openapi, '3.1.0');
    const result = await validate(structuredClone(reply.body));
    assert.ok(result.valid, compileErrors(result));
  });

  test('it is derived from the declarations: every collection, its schemas and LOOKUP', async () => {
    const { body: document } = await api.get('/openapi.json');
    const models = await loadCollections();
    for (const model of models) {
      const paths = document.paths[model.path];
      assert.ok(paths.get && paths.post, `${model.path} list and create`);
      assert.ok(document.paths[`${model.path}/{id}`].patch, `${model.path}/{id} patch`);
      assert.equal(paths['x-additionalOperations'].LOOKUP.responses['404'].description, 'Lookup failed');
      assert.match(paths.description, /LOOKUP/);
    }
    const [ip, rr] = [models.find((model) => model.path === IP)!, models.find((model) => model.path === RR)!];
    assert.deepEqual(document.components.schemas.IntegrationPoint, entitySchema(ip, 'entity'));
    assert.deepEqual(document.components.schemas.RecordruleCreate, entitySchema(rr, 'create'));
    assert.equal(document.components.schemas.IntegrationPoint.properties.token_local.readOnly, true);
    assert.ok(document.paths['/rest/v1/service/integration_tokens/{value}'].get);
    assert.ok(document.paths['/rest/v1/uc/recording_decisions'].post.requestBody);
    assert.ok(document.paths['/rest/v1/domain/calendar'].patch);
  });

  test('/docs renders in headless Chromium and lists both collections', { skip: !existsSync(CHROMIUM) && `no ${CHROMIUM}` }, async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(service.current.url)) external.push(request.url());
      });
      await page.goto(`${service.current.url}/docs`);
      await page.getByText('integration_points', { exact: true }).first().waitFor({ timeout: 15000 });
      await page.getByText('recordrules', { exact: true }).first().waitFor({ timeout: 15000 });
      assert.ok(await page.getByText('/rest/v1/uc/recordrules/{id}').first().isVisible());
      assert.deepEqual(external.filter((url) => !url.startsWith('data:')), [], 'everything is served by the service itself');
    } finally {
      await browser.close();
    }
  });
});
