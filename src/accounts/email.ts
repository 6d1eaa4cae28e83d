// What an email address must look like to be stored: something@something without spaces, at
// most Users.Email's 255 characters (the original only looked for an "@").
import { MAX_EMAIL_LENGTH } from "../storage/users.ts";

export const emailProblem = (email: string): string | undefined =>
  !/^[^\s@]+@[^\s@]+$/.test(email)
    ? "email address is invalid"
    : [...email].length > MAX_EMAIL_LENGTH
    ? `email address is too long (at most ${MAX_EMAIL_LENGTH} characters)`
    : undefined;
