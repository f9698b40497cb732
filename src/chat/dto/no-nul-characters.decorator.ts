import { Matches } from 'class-validator';

/** Postgres text cannot hold U+0000; without this check the insert fails as an internal error. */
export const NoNulCharacters = () => Matches(/^[^\u0000]*$/, { message: '$property must not contain NUL (\\u0000) characters' });
