// Gives components the RoomClient to call; they read everything else from the store.
import { createContext, useContext } from 'react';
import type { RoomClient } from './RoomClient.ts';

export const RoomClientContext = createContext<RoomClient | null>(null);

export function useRoomClient(): RoomClient {
	const roomClient = useContext(RoomClientContext);
	if (!roomClient) throw new Error('useRoomClient outside of RoomClientContext');
	return roomClient;
}
