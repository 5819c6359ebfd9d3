import { FlywheelError } from '@flywheel/sdk';
import { useId } from 'react';
import { useSession } from '../api/api-context.js';
import { useApiQuery } from '../api/use-api-query.js';

/**
 * The project the UI acts in. An instance-admin key (it may list projects) gets a switcher; any
 * other key sees its own project's name.
 */
export function ProjectSwitcher() {
  const { selectProject } = useSession();
  const selectId = useId();
  const current = useApiQuery(['project', 'current'], (client) => client.projects.current());
  // Every key but an instance admin's answers `instance_admin_required`; that is not an error here.
  const all = useApiQuery(['projects'], (client) =>
    client.projects.list().catch((error: unknown) => {
      if (FlywheelError.is(error) && error.code === 'instance_admin_required') return null;
      throw error;
    }),
  );

  if (current.isPending) return <span className="muted">Loading project…</span>;
  if (current.isError) return <span className="muted">Project unavailable</span>;
  const projects = all.data;
  if (!projects || projects.length < 2) {
    return (
      <span className="project-switcher">
        <span className="muted">Project</span>
        <span className="project-name" title={current.data.name}>
          {current.data.name}
        </span>
      </span>
    );
  }
  return (
    <span className="project-switcher">
      <label htmlFor={selectId} className="muted">
        Project
      </label>
      <select
        id={selectId}
        className="select"
        value={current.data.id}
        onChange={(event) => selectProject(event.target.value)}
      >
        {projects.map((project) => (
          <option key={project.id} value={project.id}>
            {project.name}
          </option>
        ))}
      </select>
    </span>
  );
}
