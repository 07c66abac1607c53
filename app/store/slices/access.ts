// What this page may do in the room: the grants of its token as the server
// confirmed them (the access check, the join response, grantsChanged), or as
// the token claims them until then. Views hide what the grants do not allow.
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { Grants } from '../../../protocol/access.ts';

export interface AccessState {
	/** The page has a token: the server runs in token mode (open mode needs none). */
	tokenMode: boolean;
	/** null until known: a server of the classic dialect says nothing, and allows everything. */
	grants: Grants | null;
}

const initialState: AccessState = { tokenMode: false, grants: null };

export const accessSlice = createSlice({
	name: 'access',
	initialState,
	reducers: {
		configured(state, action: PayloadAction<{ tokenMode: boolean; grants: Grants | null }>) {
			Object.assign(state, action.payload);
		},
		grantsReceived(state, action: PayloadAction<Grants>) {
			state.grants = action.payload;
		},
	},
});

export const accessActions = accessSlice.actions;
