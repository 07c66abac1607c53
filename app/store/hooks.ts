// Typed react-redux hooks: components never see an untyped state.
import { useSelector } from 'react-redux';
import type { RootState } from './store.ts';

export const useAppSelector = useSelector.withTypes<RootState>();
