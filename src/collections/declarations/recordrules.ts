// shared/spec/seeds/recordrules.ru.txt, CONVENTIONS.md "recordrule" and RECORDING.md.
import { array, defineCollection, ext, idField, integer, oneOf, opts, string, uuid } from '../declaration.js';
import { checkRulePeriods, MAX_PERIODS, rulePeriodSchema } from '../values/clock.js';
import { checkMask } from '../values/number-mask.js';

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
    fromnumber: string('mask', { default: '', check: checkMask, description: 'Number mask the caller\'s number must match.' }),
    tonumber: string('mask', { default: '', check: checkMask, description: 'Number mask the called number must match.' }),
    crossdomain: string('mask', { default: '', check: checkMask, description: 'Mask of the other domain\'s name; checked on crossdomain calls only.' }),
    rec: integer({ default: 1, enum: [0, 1], description: '1 records, 0 does not.' }),
    storageruleid: uuid({ default: '', allowEmpty: true, references: 'storagerules', description: 'A storagerule of the same domain, or "".' }),
    schedule: oneOf(['all', '', 'work', 'nonwork'], { default: 'all', description: 'all (or ""): always; work / nonwork: inside / outside the domain calendar\'s working time.' }),
    // Items such as {"days": [1, 2, 3], "from": "09:00", "to": "18:00"}.
    periods: array(rulePeriodSchema, { default: [], maxItems: MAX_PERIODS, check: checkRulePeriods, description: 'Local-time windows; [] = no restriction.' }),
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
