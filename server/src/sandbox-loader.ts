/**
 * The sandbox is an optional dependency: imported only in sandbox mode (no IMP_KEY/IMP_SECRET)
 * and by `iamport-pay-server sandbox`, so a production install may leave it out.
 */
export type SandboxModule = typeof import("@iamport-pay/sandbox");

export const SANDBOX_PACKAGE = "@iamport-pay/sandbox";

export async function loadSandbox(
  importer: () => Promise<SandboxModule> = () => import("@iamport-pay/sandbox"),
): Promise<SandboxModule> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missing =
      (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
      String((error as Error).message).includes(SANDBOX_PACKAGE);
    if (missing) {
      throw new Error(
        `Sandbox mode needs the optional package ${SANDBOX_PACKAGE}, which is not installed: ` +
          `install it (npm install ${SANDBOX_PACKAGE}), or set IMP_KEY and IMP_SECRET`,
      );
    }
    throw error;
  }
}
