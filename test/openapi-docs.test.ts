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

  test('it is derived from the declarations: every collection, its schemas, LOOKUP in every form', async () => {
    const { body: document } = await api.get('/openapi.json');
    const models = await loadCollections();
    for (const model of models) {
      const plural = model.name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
      const collection = document.paths[model.path];
      assert.ok(collection.get && collection.head && collection.post, `${model.path} list, HEAD and create`);
      assert.deepEqual(Object.keys(collection['x-additionalOperations']), ['LOOKUP', 'QUERY']);
      const lookup = document.paths[`${model.path}:lookup`].post;
      assert.equal(lookup.operationId, `lookup${plural}`);
      assert.equal(lookup.responses['404'].description, 'Lookup failed: no entity has this key');
      const item = document.paths[`${model.path}/{id}`];
      assert.ok(item.get && item.head && item.patch && item.delete, `${model.path}/{id}`);
      assert.deepEqual(Object.keys(item.patch.responses), ['200', '400', '401', '403', '404', '408', '413', '414', '415', '431', '500', '503']);
    }
    const [ip, rr] = [models.find((model) => model.path === IP)!, models.find((model) => model.path === RR)!];
    const { description: _, ...entity } = document.components.schemas.IntegrationPoint;
    assert.deepEqual(entity, entitySchema(ip, 'entity'));
    assert.deepEqual(document.components.schemas.RecordruleCreate, entitySchema(rr, 'create'));
    assert.equal(document.components.schemas.IntegrationPoint.properties.token_local.readOnly, true);
    assert.equal(document.components.schemas.RecordrulePatch.properties.id.readOnly, true, 'a PATCH may not change id');
    assert.equal(document.components.schemas.RecordruleFlat.properties['opts.title'].type, 'string');
    assert.ok(document.paths['/rest/v1/service/integration_tokens/{value}'].get);
    // What clients built from the document (the console) learn beyond the schemas.
    assert.equal(document.paths['/rest/v1/service/integration_tokens/{value}'].get['x-resolves'], 'token_local');
    assert.deepEqual(document.paths[RR]['x-references'], { storageruleid: 'storagerules' });
    assert.equal(document.paths[IP]['x-references'], undefined);
    assert.ok(document.paths['/rest/v1/uc/recording_decisions'].post.requestBody);
    assert.ok(document.paths['/rest/v1/domain/calendar'].patch);
    assert.ok(document.paths['/rest/v1/events'].get.responses['200'].content['text/event-stream']);
    // The calendar's PATCHes are on the feed too, with the domain as id.
    assert.deepEqual(document.components.schemas.ChangeEvent.properties.collection.enum, [...models.map((model) => model.name), 'calendar']);
    // Deleting a storagerule that recordrules use is a 409.
    assert.ok(document.paths['/rest/v1/domain/storagerules/{id}'].delete.responses['409']);
    assert.equal(document.paths['/rest/v1/uc/recordrules/{id}'].delete.responses['409'], undefined);
  });

  test('/docs renders in headless Chromium: collections, LOOKUP, the change feed and how to authorise', { skip: !existsSync(CHROMIUM) && `no ${CHROMIUM}` }, async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
      for (const model of await loadCollections()) {
        // LOOKUP as the ordinary operation generated clients and this page can call.
        await page.locator(`.opblock-post [data-path="${model.path}:lookup"]`).waitFor({ timeout: 15000 });
      }
      await page.locator('.opblock-get [data-path="/rest/v1/events"]').waitFor({ timeout: 15000 });
      await page.getByText('Change feed', { exact: false }).first().waitFor({ timeout: 15000 });
      // How to authorise: the button, and what to paste into it.
      assert.ok(await page.locator('button.authorize').isVisible());
      assert.ok(await page.getByText('press Authorize and paste an API key', { exact: false }).first().isVisible());
      if (process.env.DOCS_SCREENSHOT) await page.screenshot({ path: process.env.DOCS_SCREENSHOT, fullPage: true });
      assert.deepEqual(external.filter((url) => !url.startsWith('data:')), [], 'everything is served by the service itself');
    } finally {
      await browser.close();
    }
  });
});
