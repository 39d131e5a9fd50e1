import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { Dialog } from "../shell/Dialog.tsx";
import { timeAgo } from "../shell/time.ts";
import { membersApi, settingsKeys, type InviteCreated, type Member, type Role } from "./api.ts";
import { grantableRoles, roleAtLeast, useTenant } from "./caller.ts";

/**
 * Members and invitations. The rules are the API's (people.service): nobody grants more than they
 * hold, only an owner touches owners, and the last owner stays. The page offers only what the
 * caller's role may do.
 */
export function MembersSection({ role }: { role: Role }) {
  const queryClient = useQueryClient();
  const me = useTenant().data?.caller;
  const members = useQuery({ queryKey: settingsKeys.members, queryFn: membersApi.list });
  const invites = useQuery({ queryKey: settingsKeys.invites, queryFn: membersApi.invites });
  const [invited, setInvited] = useState<InviteCreated>();
  const [removing, setRemoving] = useState<Member>();
  const [notice, setNotice] = useState<string>();
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: settingsKeys.members }), queryClient.invalidateQueries({ queryKey: settingsKeys.invites })]);

  const invite = useMutation({
    mutationFn: membersApi.invite,
    onSuccess: (created) => { setInvited(created); setNotice(`Invited ${created.invite.email} as ${created.invite.role}.`); void refresh(); },
  });
  const changeRole = useMutation({
    mutationFn: ({ member, next }: { member: Member; next: Role }) => membersApi.changeRole(member.userId, next),
    onSuccess: (member) => { setNotice(`${member.email} is now ${member.role}.`); void refresh(); },
    onError: (error) => { setNotice(describeError(error)); void refresh(); },
  });
  const withdraw = useMutation({
    mutationFn: (inviteId: string) => membersApi.revokeInvite(inviteId),
    onSuccess: () => { setNotice("Invitation withdrawn."); setInvited(undefined); void refresh(); },
    onError: (error) => setNotice(describeError(error)),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    invite.mutate({ email: String(form.get("email")).trim(), role: String(form.get("role")) as Role }, { onSuccess: () => element.reset() });
  }
  // Only an owner touches an owner; nobody changes their own role here.
  const mayManage = (member: Member) => roleAtLeast(role, member.role) && member.userId !== me?.userId;

  return (
    <>
      <section className="settings-section" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        <form className="settings-form" onSubmit={submit} aria-label="Invite a member">
          <label className="field">Email<input name="email" type="email" required maxLength={320} autoComplete="off" /></label>
          <label className="field">Role
            <select name="role" defaultValue="editor">
              {grantableRoles(role).map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </label>
          <button type="submit" className="button primary" disabled={invite.isPending}>Send invite</button>
        </form>
        {invite.isError && <p role="alert" className="alert">{describeError(invite.error)}</p>}
        {invited && !invited.mailed && (
          <div className="shown-once">
            <p>No mail is sent from this platform yet: pass this invitation link to {invited.invite.email} yourself. It works for 7 days.</p>
            <p className="mono">{invited.link}</p>
            <button type="button" className="button small" onClick={() => setInvited(undefined)}>Done</button>
          </div>
        )}
        <p role="status" className="notice">{notice}</p>
        {members.isError && <p role="alert" className="alert">{describeError(members.error)}</p>}
        {members.data && (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Members">
            <table className="settings-table">
              <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Joined</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {members.data.map((member) => (
                  <tr key={member.userId}>
                    <th scope="row">{member.email}{member.name ? <span className="muted small"> · {member.name}</span> : null}{member.userId === me?.userId ? <span className="muted small"> (you)</span> : null}</th>
                    <td>
                      {mayManage(member) ? (
                        <select aria-label={`Role of ${member.email}`} value={member.role} disabled={changeRole.isPending}
                          onChange={(event) => changeRole.mutate({ member, next: event.target.value as Role })}>
                          {grantableRoles(role).map((r) => <option key={r} value={r}>{r}</option>)}
                        </select>
                      ) : member.role}
                    </td>
                    <td>{timeAgo(member.joinedAt)}</td>
                    <td className="actions">{mayManage(member) && <button type="button" className="button small danger" onClick={() => setRemoving(member)} aria-label={`Remove ${member.email}`}>Remove</button>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="settings-section" aria-labelledby="invites-title">
        <h2 id="invites-title">Open invitations</h2>
        {invites.data?.length === 0 && <p className="muted">No open invitations.</p>}
        {invites.data && invites.data.length > 0 && (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Open invitations">
            <table className="settings-table">
              <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Expires</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {invites.data.map((open) => (
                  <tr key={open.id}>
                    <th scope="row">{open.email}</th>
                    <td>{open.role}</td>
                    <td>{timeAgo(open.expiresAt)}</td>
                    <td className="actions"><button type="button" className="button small" onClick={() => withdraw.mutate(open.id)} disabled={withdraw.isPending} aria-label={`Withdraw the invitation of ${open.email}`}>Withdraw</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <RemoveDialog member={removing} onClose={() => setRemoving(undefined)} onDone={(email) => { setNotice(`Removed ${email}.`); void refresh(); }} />
    </>
  );
}

function RemoveDialog({ member, onClose, onDone }: { member: Member | undefined; onClose: () => void; onDone: (email: string) => void }) {
  const remove = useMutation({ mutationFn: (target: Member) => membersApi.remove(target.userId), onSuccess: (_done, target) => { onClose(); onDone(target.email); } });
  return (
    <Dialog title={`Remove ${member?.email ?? ""}?`} open={member !== undefined} onClose={onClose}>
      <p>They lose access to this tenant at once. You can invite them again later.</p>
      {remove.isError && <p role="alert" className="alert">{describeError(remove.error)}</p>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} autoFocus>Keep them</button>
        <button type="button" className="button danger-solid" onClick={() => remove.mutate(member!)} disabled={remove.isPending}>Remove member</button>
      </div>
    </Dialog>
  );
}
