// Typed react-redux hooks: components never see an untyped state, and
// dispatch only the slices' typed actions (for UI-only state: which panel is
// open, a toast dismissed; the room itself changes through RoomClient).
import { useDispatch, useSelector } from 'react-redux';
import type { AppDispatch, RootState } from './store.ts';

export const useAppSelector = useSelector.withTypes<RootState>();
export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
