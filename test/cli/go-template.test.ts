import { describe, expect, it } from 'vitest';
import { formatItems } from '../../src/cli/format-output.js';
import { compileTemplate, show } from '../../src/cli/go-template.js';
import { UsageError } from '../../src/errors.js';

const image = {
  Id: 'sha256:abc',
  RepoTags: ['app:1', 'app:latest'],
  Size: 1234,
  Config: { Env: ['PATH=/bin', 'A=1'], Cmd: ['sh'], Labels: { 'org.x': 'y', team: 'core' } },
};
const render = (t: string, data: unknown = image): string => compileTemplate(t).render(data);

describe('Go template subset of --format', () => {
  it('prints fields as Go does: strings, numbers, lists, maps', () => {
    expect(render('{{.Id}} {{.Size}}')).toBe('sha256:abc 1234');
    expect(render('{{.Config.Env}}')).toBe('[PATH=/bin A=1]');
    expect(render('{{.Config.Labels}}')).toBe('map[org.x:y team:core]');
    expect(render('{{.Config.Labels.missing}}')).toBe('<no value>');
    expect(show(null)).toBe('<nil>');
  });

  it('runs the functions docker users type', () => {
    expect(render('{{json .Config.Cmd}}')).toBe('["sh"]');
    expect(render('{{json .}}')).toBe(JSON.stringify(image));
    expect(render('{{index .Config.Labels "org.x"}}')).toBe('y');
    expect(render('{{index .RepoTags 1}}')).toBe('app:latest');
    expect(render('{{join .RepoTags ", "}}')).toBe('app:1, app:latest');
    expect(render('{{len .RepoTags}} {{upper "a"}} {{lower "B"}} {{title "hi there"}}')).toBe('2 A b Hi There');
    expect(render('{{printf "%s=%d" "n" 3}} {{println "x"}}')).toBe('n=3 x\n');
    expect(render('{{.Id | printf "%q"}}')).toBe('"sha256:abc"');
    expect(render('{{(index .RepoTags 0)}}')).toBe('app:1');
    expect(render('{{split "a:b" ":"}}')).toBe('[a b]');
  });

  it('runs range, if/else, with, variables and trim markers', () => {
    expect(render('{{range .RepoTags}}<{{.}}>{{end}}')).toBe('<app:1><app:latest>');
    expect(render('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}')).toBe('org.x=y;team=core;');
    expect(render('{{range $i, $t := .RepoTags}}{{$i}}:{{$t}} {{end}}')).toBe('0:app:1 1:app:latest ');
    expect(render('{{range .Config.Missing}}x{{else}}none{{end}}')).toBe('none');
    expect(render('{{if eq .Size 1234}}big{{else}}small{{end}}')).toBe('big');
    expect(render('{{if not .Config.Labels.nope}}unset{{end}}')).toBe('unset');
    expect(render('{{with .Config}}{{.Cmd}}{{end}}')).toBe('[sh]');
    expect(render('{{$id := .Id}}{{range .RepoTags}}{{$id}} {{end}}')).toBe('sha256:abc sha256:abc ');
    expect(render('a  {{- .Size -}}  b')).toBe('a1234b');
    expect(render('{{range .RepoTags}}{{$.Id}}{{end}}')).toBe('sha256:abcsha256:abc');
  });

  it('refuses what it does not implement, and typos, by name', () => {
    const refuse = (t: string, why: RegExp): void => {
      expect(() => render(t)).toThrow(UsageError);
      expect(() => render(t)).toThrow(why);
    };
    refuse('{{template "x"}}', /\{\{template\}\} is not supported/);
    refuse('{{define "x"}}{{end}}', /\{\{define\}\} is not supported/);
    refuse('{{nosuch .Id}}', /function "nosuch" is not defined/);
    refuse('{{.Nope}}', /can't evaluate field Nope; fields here: Id, RepoTags, Size, Config/);
    refuse('{{.Id', /unclosed action/);
    refuse('{{if .Id}}x', /\{\{if\}\} has no \{\{end\}\}/);
    refuse('{{end}}', /\{\{end\}\} without/);
    refuse('{{.Id .Size}}', /is not a function/);
  });

  it('formats items as lines, json, or a table with docker headers', () => {
    const rows = [
      { Repository: 'app', Tag: '1', ID: 'abc' },
      { Repository: 'busybox', Tag: 'latest', ID: 'def' },
    ];
    expect(formatItems('{{.Repository}}:{{.Tag}}', rows)).toBe('app:1\nbusybox:latest\n');
    expect(formatItems('json', rows)).toBe(`${JSON.stringify(rows[0])}\n${JSON.stringify(rows[1])}\n`);
    expect(formatItems('table {{.Repository}}\\t{{.ID}}', rows, { ID: 'IMAGE ID' })).toBe('REPOSITORY   IMAGE ID\napp          abc\nbusybox      def\n');
  });
});
