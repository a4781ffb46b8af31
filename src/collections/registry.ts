/**
 * Loads every collection declared under ./declarations: a new collection is
 * one new file there, nothing else to register.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { CollectionDeclaration } from './declaration.js';
import { compileCollection, linkReferences, type CollectionModel } from './model.js';

const declarationsDir = fileURLToPath(new URL('./declarations/', import.meta.url));

function isDeclaration(value: unknown): value is CollectionDeclaration {
  return typeof value === 'object' && value !== null && 'fields' in value && 'path' in value && 'lookupKeys' in value;
}

export async function loadCollections(): Promise<CollectionModel[]> {
  const files = (await readdir(declarationsDir)).filter((file) => file.endsWith('.js')).sort();
  const models: CollectionModel[] = [];
  for (const file of files) {
    const module: Record<string, unknown> = await import(pathToFileURL(path.join(declarationsDir, file)).href);
    for (const value of Object.values(module)) {
      if (isDeclaration(value)) models.push(compileCollection(value));
    }
  }
  const names = new Set(models.map((model) => model.name));
  if (names.size !== models.length) throw new Error('two collections share a name');
  linkReferences(models);
  return models;
}
