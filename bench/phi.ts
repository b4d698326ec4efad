/**
 * THE ENCRYPTION HOOK. Descriptions and note bodies may hold PHI, and the app
 * stores them encrypted with AES-256-GCM (HIPAA 164.312(a)(2)(iv)). Every
 * description and note body the seeder writes goes through the function made
 * here, so the seeded rows look exactly like the app's own once it is switched.
 *
 * For now it stores the text unchanged: the encryption module is still being
 * built. When it lands, load the key once the way the app does for this DATA_DIR
 * and return the app's stored form, e.g.
 *
 *   const key = loadPhiKey(dataDir);
 *   return (plaintext) => encryptPhi(key, plaintext);
 *
 * Expect the stored form to be about a third longer (IV, tag, base64); the page
 * sizes and the bench's numbers will then include that.
 */
export function createPhiSealer(_dataDir: string): (plaintext: string) => string {
  return (plaintext) => plaintext;
}
