import type {Dialect} from './dialect.js';

/**
 * Prefect's alembic revisions before 2.13.0, where prefectdb's chain starts (read off
 * `prefect_alembic.py history`). Only so a database at one of them is told to take Prefect's
 * own upgrade to 2.13 first, instead of being called unknown.
 */
const BEFORE_2_13: Record<Dialect, ReadonlySet<string>> = {
  sqlite: new Set([
    '9725c1cbee35', '619bea85701a', '7c91cb86dc4e', '28ae48128c75', '4c4a6a138053', 'e1ff4973a9eb',
    'f327e877e423', 'c8ff35f94028', '71a57ec351d1', '7f5f335cace3', 'db6bde582447', 'fd966d4ad99c',
    'b75d279ba985', '888a0bb0df7b', '33439667aeea', 'e73c6f1fe752', 'd76326ed0d06', 'f65b6ad0b869',
    '84892301571a', '2d900af9cd07', '9e2a1c08c6f1', 'a205b458d997', 'dff8da7a6c2c', '42762c37b7bc',
    '3bd87ecdac38', 'e2dae764a603', '061c7e518b40', '638cbcc2a158', '56be24fdb383', '628a873f0d1a',
    '2fe8ef6a6514', 'f335f9633eec', '88c2112b668f', '905134444e17', '24bb2e4a195c', '53c19b31aa09',
    '296e2665785f', '575634b7acd4', 'e757138e954a', '22b7cb02e593', 'ad4b1b4d1e9d', 'fa319f214160',
    '3ced59d8806b', 'af52717cf201', 'a0284438370e', '4f90ad6349bd', '7201de756d85', 'fe77ad0dda06',
    'bb38729c471a', 'f92143d30c24', 'f92143d30c25', 'f92143d30c26', 'f92143d30c27', 'b9bda9f142f1',
    '1678f2fb8b33', 'bfe42b7090d6', '8d148e44e669', 'f3df94dca3cc', 'cf1159bd0d3c', '1d7441c031d0',
    'b9aafc3ab936', '422f8ba9541d', '553920ec20e9', '3e1eb8281d5e', '340f457b315f', '3d46e23593d6',
    '2dbcec43c857', '5b0bd3b41a23',
  ]),
  postgres: new Set([
    '25f4b90a7a42', '5f376def75c3', '5bff7878e700', '679e695af6ba', 'd9d98a9ebb6f', '4799f657a6a1',
    'd115556a8ab6', 'b68b3cad6b8a', '2e7e1428ffce', '605ebb4e9155', '14dc68cc5853', 'd38c5e6a9115',
    '1c9390e2f9c6', 'dc7a3c6fd3e9', '724e6dcc6b5d', '2fe6fe6ca16e', 'cdcb4018dd0e', '77ebcc9cf355',
    '3a7c41d3b464', '61c76ee09e02', 'd335ad57d5ba', '29ad9bef6147', '7296741dff68', '2f46fc3f3beb',
    '813ddf14e2de', '4cdc2ba709a4', 'e905fd199258', '112c68143fc3', '0f27d462bf6d', 'bb4dc90d3e29',
    '0cf7311d6ea6', 'e085c9cbf8ce', '4ff2f2bf81f4', 'add97ce1937d', 'fa985d474982', '97e212ea6545',
    '7737221bf8a4', '60e428f92a75', '77eb737fc759', '2d5e000696f1', '22b7cb02e593', 'ad4b1b4d1e9d',
    '6d548701edef', '3ced59d8806b', '8ea825da948d', '41e5ed9e1034', '54c1876c68ae', '8caf7c1fd82c',
    '5d526270ddb4', '5e4f924ff96c', 'f7587d6c5776', 'd481d5058a19', '9326a6aee18b', '2882cd2df463',
    '2882cd2df464', '2882cd2df465', '2882cd2df466', '0a1250a5aa25', 'f98ae6d8e2cc', '2a88656f4a23',
    'cfdfec5d7557', '7d918a392297', '4a1a0e4f89de', 'aa84ac237ce8', 'd20618ce678e', '46bd82c6279a',
    '3bf47e3ce2dd', '6a1eb3d442e4', '43c94d4c7aa3', '310dda75f561', '15f5083c16bd', '5f623ddbf7fe',
  ]),
};

export function isBefore213(dialect: Dialect, revision: string): boolean {
  return BEFORE_2_13[dialect].has(revision);
}
