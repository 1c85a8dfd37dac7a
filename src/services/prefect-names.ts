import {refusedError, usageError} from '../errors.js';

// Prefect's BANNED_CHARACTERS for object names (types/names.py).
const BANNED = /[/%&><]/;

/** A name Prefect's `Name` / `NonEmptyishName` types accept: not blank, none of / % & > <. */
export function assertPrefectName(name: string, noun: string): void {
  if (!name.replace(/^['" ]+|['" ]+$/g, '')) throw usageError(`${noun} name cannot be empty`);
  if (BANNED.test(name)) throw usageError(`invalid ${noun} name "${name.slice(0, 40)}": it may not contain / % & > <`);
}

/** The API reserves pool names starting with "prefect" (any case): create, delete and most updates are refused (403). */
export function isReservedPoolName(name: string): boolean {
  return name.toLowerCase().startsWith('prefect');
}

export function assertNotReservedPool(name: string, action: string): void {
  if (isReservedPoolName(name)) {
    throw refusedError(`work pools whose names start with "prefect" are reserved for Prefect's own use and cannot be ${action}`);
  }
}
