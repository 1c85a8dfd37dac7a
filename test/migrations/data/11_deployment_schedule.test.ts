import {describeDataCase} from '../../support/data-migration.js';
import {dataCase} from './11_deployment_schedule.case.js';

describeDataCase('migration 11: deployment schedules move into deployment_schedule, paused set', dataCase);
