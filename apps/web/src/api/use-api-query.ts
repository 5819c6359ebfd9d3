import type { FlywheelClient } from '@flywheel/sdk';
import {
  type QueryKey,
  type UseMutationOptions,
  type UseQueryOptions,
  type UseQueryResult,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useApi } from './api-context.js';

/**
 * A TanStack query against the Flywheel API through the SDK. The key is scoped to the session's
 * project, so switching projects never shows another project's answers; errors are the SDK's
 * `FlywheelError` (render them with `<ErrorMessage>`).
 *
 * @example
 * const traces = useApiQuery(['traces', filters], (client) => client.traces.list(filters));
 */
export function useApiQuery<T>(
  key: QueryKey,
  fetcher: (client: FlywheelClient) => Promise<T>,
  options: Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'> = {},
): UseQueryResult<T, Error> {
  const { client, scope } = useApi();
  return useQuery({ ...options, queryKey: ['api', scope, ...key], queryFn: () => fetcher(client) });
}

/**
 * A change through the SDK; `invalidates` lists query keys (as given to {@link useApiQuery}) to
 * refetch once it succeeded.
 *
 * @example
 * const move = useApiMutation((client, input: { version: number }) => client.prompts.moveLabel(name, 'production', input.version), { invalidates: [['prompts']] });
 */
export function useApiMutation<T, Input>(
  change: (client: FlywheelClient, input: Input) => Promise<T>,
  options: Omit<UseMutationOptions<T, Error, Input>, 'mutationFn'> & { invalidates?: QueryKey[] } = {},
) {
  const { client, scope } = useApi();
  const queryClient = useQueryClient();
  const { invalidates = [], onSuccess, ...rest } = options;
  return useMutation<T, Error, Input>({
    ...rest,
    mutationFn: (input) => change(client, input),
    onSuccess: async (data, input, ...more) => {
      await Promise.all(
        invalidates.map((key) => queryClient.invalidateQueries({ queryKey: ['api', scope, ...key] })),
      );
      await onSuccess?.(data, input, ...more);
    },
  });
}
