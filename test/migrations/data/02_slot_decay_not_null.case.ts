import type {DataCase} from '../../support/data-migration.js';
import {plantedAt} from '../../support/data-migration.js';

// Concurrency limits without a slot decay get 0.0; the downgrade keeps it.
export const dataCase: DataCase = {
  sqlite: {revision: '8167af8df781', downRevision: 'ef674d598dd3', fixture: '8167af8df781-sqlite.json'},
  postgres: {revision: '4e9a6f93eb6c', downRevision: 'db0eb3973a54', fixture: '8167af8df781-postgres.json'},
  async plant(knex, dialect) {
    const common = {created: plantedAt(dialect), updated: plantedAt(dialect), active: 1, limit: 3, active_slots: 0, denied_slots: 0, avg_slot_occupancy_seconds: 2};
    await knex('concurrency_limit_v2').insert([
      {...common, id: '0b5a3b8e-0000-4000-8000-000000000001', name: 'no-decay', slot_decay_per_second: null},
      {...common, id: '0b5a3b8e-0000-4000-8000-000000000002', name: 'decaying', slot_decay_per_second: 1.5},
    ]);
  },
  read: (knex) => knex('concurrency_limit_v2').select('id', 'name', 'slot_decay_per_second', 'limit').orderBy('name'),
};
