// shared/spec/seeds/recordrules.ru.txt and CONVENTIONS.md "recordrule".
import { defineCollection, ext, idField, integer, oneOf, opts, string, uuid, values } from '../declaration.js';

export const recordrules = defineCollection({
  name: 'recordrules',
  entity: 'recordrule',
  path: '/rest/v1/uc/recordrules',
  description: 'Call-recording rules: direction, number masks, schedule, priority and storage rule.',
  fields: {
    id: idField(),
    priority: integer({ required: true, indexed: true, description: 'Lower value = higher priority.' }),
    // Indexed through (dir, priority) below, whose prefix serves filters on dir alone.
    dir: oneOf(['', '*', 'incoming', 'outgoing', 'inner', 'crossdomain'], { default: '' }),
    fromnumber: string('mask', { default: '', description: 'Number mask.' }),
    tonumber: string('mask', { default: '', description: 'Number mask.' }),
    crossdomain: string('mask', { default: '', description: 'Domain mask.' }),
    rec: integer({ default: 1, enum: [0, 1], description: '1 records, 0 does not.' }),
    storageruleid: uuid({ default: '', allowEmpty: true }),
    schedule: string('code', { default: 'all' }),
    // Items such as {"days": [1, 2, 3], "from": "09:00", "to": "18:00"}: about 50 bytes each.
    periods: values({ default: [], maxItems: 64, maxBytes: 8192, maxDepth: 4 }),
    opts: opts(),
    ext: ext(),
  },
  lookupKeys: ['id'],
  // Rules are listed by direction in priority order (the order they apply in).
  indexes: [['dir', 'priority']],
  listProjection: [
    'id',
    'priority',
    'dir',
    'fromnumber',
    'tonumber',
    'crossdomain',
    'rec',
    'storageruleid',
    'schedule',
    'opts.title',
    'ext.ct',
    'ext.lwt',
  ],
  aliases: { storageid: 'storageruleid' },
});
