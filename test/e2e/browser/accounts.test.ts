// Issue 15 item 6 in the browser: a role change needs a confirming click (the keyboard moving
// through the select changes nothing), admins set passwords in a masked form (no prompt()), and
// users change their own password on the account page; each change ends that user's other sessions.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, ensureClientBuild, launchBrowser, needsChromium, PHONE, DESKTOP, SHOTS, signIn, until } from '../../helpers/browser.js';
import { databaseKinds } from '../../helpers/databases.js';
import { gql, login, ok } from '../../helpers/graphql-client.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';

const ADMIN = { username: 'admin', password: 'correct horse battery' };

describe('accounts in the browser', { skip: needsChromium() }, () => {
  let srv: TestServer;
  let b: Browser;
  const dialogs: string[] = [];
  const me = async (token: string): Promise<string | null> => (await gql(srv.baseUrl, ME, {}, token)).data?.me?.username ?? null;
  const roleOf = async (username: string): Promise<string> => {
    const users = ok(await gql(srv.baseUrl, USERS, {}, await login(srv.baseUrl, ADMIN.username, ADMIN.password))).users as { username: string; role: string }[];
    return users.find((u) => u.username === username)?.role ?? 'missing';
  };

  before(async () => {
    ensureClientBuild();
    srv = await startTestServer(databaseKinds()[0], { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    b = await launchBrowser(srv.baseUrl);
    b.page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await signIn(b.page, ADMIN.username, ADMIN.password);
  });

  after(async () => {
    await b?.page.screenshot({ path: path.join(SHOTS, 'accounts-last.png') }).catch(() => undefined);
    await b?.close();
    await srv?.close();
  });

  it('changes a role only on a confirming click, not while the keyboard moves through the select', async () => {
    const { page } = b;
    await page.goto('/users');
    await page.fill('#new-username', 'carol');
    await page.fill('#new-password', 'carol-password');
    await page.click('button:has-text("Create")');
    await page.getByRole('status').filter({ hasText: 'User carol created.' }).waitFor();
    const select = page.getByLabel('Role of carol');
    await select.focus();
    await page.keyboard.press('ArrowDown'); // a keyboard user passing by
    await page.locator('[data-testid=confirm-role-carol]').waitFor();
    assert.equal(await roleOf('carol'), 'uploader', 'nothing changed yet');
    await page.click('button:has-text("Cancel")');
    assert.equal(await select.inputValue(), 'uploader');
    await select.selectOption('admin');
    await page.click('[data-testid=confirm-role-carol]');
    await page.getByRole('status').filter({ hasText: 'carol is now admin.' }).waitFor();
    assert.equal(await roleOf('carol'), 'admin');
    await select.selectOption('uploader');
    await page.click('[data-testid=confirm-role-carol]');
    await until('carol an uploader again', async () => (await roleOf('carol')) === 'uploader');
  });

  it("sets another user's password in a masked form and ends their sessions", async () => {
    const { page } = b;
    const carol = await login(srv.baseUrl, 'carol', 'carol-password');
    await page.locator('tr', { hasText: 'carol' }).getByRole('button', { name: 'Set password' }).click();
    const input = page.getByLabel('New password for carol');
    assert.equal(await input.getAttribute('type'), 'password');
    await input.fill('carol-second-password');
    await page.screenshot({ path: path.join(SHOTS, 'users-set-password.png') });
    await page.click('button:has-text("Save password")');
    await page.getByRole('status').filter({ hasText: 'Password of carol changed' }).waitFor();
    assert.equal(await me(carol), null, "carol's session ended");
    assert.equal(await me(await login(srv.baseUrl, 'carol', 'carol-second-password')), 'carol');
    assert.deepEqual(dialogs, [], 'no prompt() or confirm() was shown');
    for (const [name, size] of [['users', DESKTOP], ['users-phone', PHONE]] as const) {
      await page.setViewportSize(size);
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    }
    await page.setViewportSize(DESKTOP);
  });

  it('changes one’s own password with the current one, keeping this session and ending the others', async () => {
    const { page } = b;
    const other = await login(srv.baseUrl, ADMIN.username, ADMIN.password);
    await page.goto('/account');
    const form = page.locator('[data-testid=password-form]');
    await form.getByLabel('Current password').fill('not the password');
    await form.getByLabel(/^New password \(/).fill('a-new-admin-password');
    await form.getByLabel('New password again').fill('a-new-admin-passwort');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('alert').filter({ hasText: 'The new passwords differ' }).waitFor();
    await form.getByLabel('New password again').fill('a-new-admin-password');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('alert').filter({ hasText: 'the current password is not right' }).waitFor();
    assert.equal(await me(other), 'admin', 'a refused change ends nothing');
    await form.getByLabel('Current password').fill(ADMIN.password);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor();
    assert.equal(await me(other), null, 'the other session ended');
    await page.reload();
    await page.getByText('Signed in as').waitFor(); // this one stays
    await page.screenshot({ path: path.join(SHOTS, 'account-password.png'), fullPage: true });
    assert.equal(await me(await login(srv.baseUrl, ADMIN.username, 'a-new-admin-password')), 'admin');
  });
});

const ME = '{ me { username } }';
const USERS = '{ users { username role } }';
