// shared/spec/RECORDING.md "Working time": the storage rule a recording rule names.
import { defineCollection, ext, idField, integer, opts, string } from '../declaration.js';

export const storagerules = defineCollection({
  name: 'storagerules',
  entity: 'storagerule',
  path: '/rest/v1/domain/storagerules',
  description: 'Where and how long call records are kept; recordrules name one by storageruleid.',
  fields: {
    id: idField(),
    name: string('title', { default: '', indexed: true }),
    expires: integer({ required: true, minimum: 0, description: 'Days a record is kept.' }),
    opts: opts(),
    ext: ext(),
  },
  lookupKeys: ['id', 'name'],
  listProjection: ['id', 'name', 'expires', 'opts.title', 'ext.ct', 'ext.lwt'],
});
