/** A user of the local identity provider; the demo users are in ../demo.ts. */
export interface IdentityUser {
  sub: string;
  username: string;
  password: string;
  name: string;
  email?: string;
  /** A URL; for demo users, served by the provider itself. */
  picture?: string;
}
