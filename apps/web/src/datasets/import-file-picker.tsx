import { type DragEvent, useId, useState } from 'react';
import { ImportFileError, type ImportSource, isImportFileName, readImportSource } from './import-file.js';

/**
 * Chooses the file to import: a file input (reachable by keyboard) inside a zone that also takes
 * a file dropped on it. The file is read and checked here; nothing is uploaded.
 */
export function ImportFilePicker({
  fileName,
  disabled,
  onRead,
}: {
  /** The file read so far, if any. */
  fileName: string | undefined;
  disabled: boolean;
  onRead: (source: ImportSource | undefined) => void;
}) {
  const inputId = useId();
  const [dragging, setDragging] = useState(false);
  const [reading, setReading] = useState(false);
  const [problem, setProblem] = useState<{ fileName: string; message: string } | undefined>(undefined);

  const read = async (file: File | undefined) => {
    if (!file) return;
    if (!isImportFileName(file.name)) {
      onRead(undefined);
      setProblem({ fileName: file.name, message: 'Choose a .csv, .jsonl, .ndjson or .json file.' });
      return;
    }
    setReading(true);
    try {
      const text = await readText(file);
      onRead(readImportSource(file.name, text));
      setProblem(undefined);
    } catch (error) {
      onRead(undefined);
      const message =
        error instanceof ImportFileError || error instanceof Error ? error.message : String(error);
      setProblem({ fileName: file.name, message });
    } finally {
      setReading(false);
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (!disabled) void read(event.dataTransfer.files[0]);
  };

  return (
    <section className="panel" aria-labelledby={`${inputId}-title`}>
      <h2 id={`${inputId}-title`} className="panel-title">
        File
      </h2>
      {/* The drop zone is a second way in for the mouse; the keyboard uses the file input inside it. */}
      <fieldset
        className="datasets-dropzone"
        data-dragging={dragging}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <legend className="visually-hidden">File to import</legend>
        <label htmlFor={inputId} className="field-label">
          Choose a CSV or JSONL file, or drop it here
        </label>
        <input
          id={inputId}
          type="file"
          accept=".csv,.jsonl,.ndjson,.json,text/csv,application/jsonl"
          disabled={disabled}
          // Choosing the same file again (after fixing it) reads it again.
          onClick={(event) => {
            event.currentTarget.value = '';
          }}
          onChange={(event) => void read(event.target.files?.[0])}
        />
        <p className="field-hint" aria-live="polite">
          {reading ? 'Reading…' : fileName ? `Read ${fileName}.` : 'Nothing is uploaded until you import.'}
        </p>
      </fieldset>
      {problem ? (
        <div className="state state-error" role="alert">
          <p className="state-error-title">Could not read {problem.fileName}</p>
          <p>{problem.message}</p>
        </div>
      ) : null}
    </section>
  );
}

/** A file's text, as UTF-8. Through FileReader, which every browser (and jsdom, for the tests) has. */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsText(file);
  });
}
