import { useSession, type Session } from "../auth/session.tsx";

/** Whether the session acts as the platform's operator (signed in with the operator key). */
export function isOperatorSession(session: Session): boolean {
  return session.status === "signed-in" && session.mode === "cookie" && session.session.operator === true;
}

export function useIsOperator(): boolean {
  return isOperatorSession(useSession().session);
}
