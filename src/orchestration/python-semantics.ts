/** Python's arithmetic where Prefect's rules rely on it. */

/** round(x): halves go to the even neighbour. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** list[index]: a negative index counts from the end; out of range raises. */
export function pythonIndex(list: readonly number[], index: number): number {
  const value = list[index < 0 ? list.length + index : index];
  if (value === undefined) throw new Error('list index out of range');
  return value;
}
