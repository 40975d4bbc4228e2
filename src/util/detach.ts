/**
 * A copy of `text` that does not keep alive the larger string it was cut from. V8 keeps a
 * substring of 13 or more characters as a slice of its parent: an id parsed from a definition
 * holds the whole definition's text. A run over thousands of definitions that keeps only their
 * ids (a duplicate check, the manifest) would keep every file's text. Prepending a character
 * makes a new string that slicing must flatten into fresh memory; the slice of that holds only it.
 */
export function detached(text: string): string {
  return (' ' + text).slice(1);
}
