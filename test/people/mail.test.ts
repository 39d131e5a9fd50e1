import assert from "node:assert/strict";
import { SMTPServer } from "smtp-server";
import { startTestPlatform, type TestPlatform } from "../kit/test-platform.ts";
import { browser, tenantWithOwner, tokenOf } from "./people-kit.ts";

type Received = { from: string; to: string[]; data: string };

/** A local SMTP server (the smtp-server package speaks the real protocol) that keeps what it is sent. */
async function startMailbox(): Promise<{ url: string; received: Received[]; next(to: string, subject: string): Promise<Received>; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ["STARTTLS"], logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  let closed: Promise<void> | undefined;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async next(to, subject) {
      for (let i = 0; i < 100; i++) {
        const found = received.find((m) => m.to.includes(to) && m.data.includes(`Subject: ${subject}`));
        if (found) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no mail reached ${to}`);
    },
    close: () => closed ??= new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The link in a plain-text mail body (quoted-printable soft breaks undone). */
function linkIn(data: string): string {
  const body = data.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  const match = /https?:\/\/\S+?token=[\w-]+/.exec(body);
  assert.ok(match, `no link in:\n${body}`);
  return match[0];
}

describe("people's mail through SMTP (SMTP_URL)", function () {
  this.timeout(60_000);
  let mailbox: Awaited<ReturnType<typeof startMailbox>>;
  let node: TestPlatform;
  before(async () => {
    mailbox = await startMailbox();
    node = await startTestPlatform({ pluginFolders: [], env: { SMTP_URL: mailbox.url, MAIL_FROM: "Acme bots <bots@acme.test>" } });
  });
  after(async () => {
    await node?.cleanup();
    await mailbox?.close();
  });

  it("mails an invite whose link joins the tenant, from MAIL_FROM, and says it was mailed", async () => {
    const acme = await tenantWithOwner(node, "Acme", "owner@acme.test");
    const invited = await acme.owner.request("POST", "/v1/admin/invites", { body: { email: "sam@acme.test", role: "agent" } });
    assert.equal(invited.status, 201, invited.text);
    assert.equal(invited.body.mailed, true);
    const mail = await mailbox.next("sam@acme.test", "You are invited");
    assert.equal(mail.from, "bots@acme.test");
    const link = linkIn(mail.data);
    assert.equal(link, invited.body.link);
    const sam = browser(node);
    const accepted = await sam.request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(link), password: "sam's long password" } });
    assert.equal(accepted.status, 201, accepted.text);
    assert.deepEqual(accepted.body.memberships.map((m: { role: string }) => m.role), ["agent"]);
  });

  it("mails a password reset link that sets a new password; an unknown email gets the same answer and no mail", async () => {
    await tenantWithOwner(node, "Globex", "ada@globex.test", "the first password");
    const before = mailbox.received.length;
    const unknown = await node.request("POST", "/v1/auth/password-reset", { body: { email: "nobody@globex.test" } });
    const known = await node.request("POST", "/v1/auth/password-reset", { body: { email: "ada@globex.test" } });
    assert.equal(unknown.status, 202);
    assert.deepEqual(unknown.body, known.body);
    const mail = await mailbox.next("ada@globex.test", "Reset your password");
    assert.ok(!mailbox.received.slice(before).some((m) => m.to.includes("nobody@globex.test")));
    const reset = await node.request("POST", "/v1/auth/password-reset/confirm", { body: { token: tokenOf(linkIn(mail.data)), password: "a brand new password" } });
    assert.ok(reset.status < 300, reset.text);
    const signIn = await browser(node).request("POST", "/v1/auth/sessions", { body: { email: "ada@globex.test", password: "a brand new password" } });
    assert.equal(signIn.status, 201, signIn.text);
  });

  it("still answers an invite, with its link to pass on, when the mail server is down", async () => {
    await mailbox.close();
    const acme = await tenantWithOwner(node, "Initech", "owner@initech.test");
    const invited = await acme.owner.request("POST", "/v1/admin/invites", { body: { email: "late@initech.test", role: "viewer" } });
    assert.equal(invited.status, 201, invited.text);
    assert.match(invited.body.link, /accept-invite\?token=/);
  });
});
