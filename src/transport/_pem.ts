/** PEM armour for DER bytes. */

/** Wraps DER bytes as PEM with the given label (`PRIVATE KEY`, `CERTIFICATE`). */
export function toPem(label: string, der: Uint8Array): string {
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
