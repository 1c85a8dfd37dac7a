import {describeDataCase} from '../../support/data-migration.js';
import {dataCase} from './06_block_type_name_backfill.case.js';

describeDataCase('migrations 05/06: block_document.block_type_name backfilled from block_type', dataCase);
