/** Loading one answer for a screen: the data, the error in words, and a reload after a change. */
import { useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  reload: () => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
      },
      (caught: Error) => current && setError(caught.message),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  return { data, error, reload: () => setRound((n) => n + 1) };
}

/** A person's name from the directory the console holds, else the id as given. */
export const personName = (people: { id: string; name: string }[], id: string | undefined): string => (id ? (people.find((person) => person.id === id)?.name ?? id) : '—');
