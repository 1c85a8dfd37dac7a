import Table from 'cli-table3';

import {paint} from './colour.js';

const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '  ',
};

/**
 * A cli-table3 table. Its own header/border colours ignore NO_COLOR and pipes, so they are
 * always switched off and we colour cells ourselves; without a terminal there are no borders.
 * `header: false` (--no-header) leaves the heading row out.
 */
export function renderTable(headers: string[], rows: string[][], options: {color: boolean; tty: boolean; header?: boolean}): string {
  const withHeader = options.header ?? true;
  const table = new Table({
    ...(withHeader ? {head: headers.map((h) => paint(h, 'bold', options.color))} : {}),
    style: {head: [], border: [], compact: true, 'padding-left': options.tty ? 1 : 0, 'padding-right': options.tty ? 1 : 0},
    ...(options.tty ? {} : {chars: PLAIN_CHARS}),
    wordWrap: false,
  });
  for (const row of rows) table.push(row);
  const text = table.toString();
  // Borderless rows end in padding spaces: trim them so piped output is clean.
  return (options.tty ? text : text.split('\n').map((line) => line.trimEnd()).join('\n')) + '\n';
}
