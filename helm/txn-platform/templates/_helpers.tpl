{{/* Names are `<release>-<component>`, cut to the 63 characters a DNS label allows. */}}
{{- define "txn.name" -}}
{{- printf "%s-%s" .root.Release.Name .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "txn.selectorLabels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "txn.labels" -}}
{{ include "txn.selectorLabels" . }}
app.kubernetes.io/part-of: txn-platform
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/*
`<registry>/<prefix><name>:<tag>`: the image's own tag from `image.tags` (infrastructure images are
tagged with their component's version), else `image.tag`, else the chart's appVersion.
*/}}
{{- define "txn.image" -}}
{{- $image := .root.Values.image -}}
{{- $tag := index (default dict $image.tags) .name | default $image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s/%s%s:%s" $image.registry $image.prefix .name $tag -}}
{{- end -}}

{{/* A service's values: serviceDefaults, overridden by its own entry. */}}
{{- define "txn.serviceValues" -}}
{{- $defaults := deepCopy .root.Values.serviceDefaults -}}
{{- toYaml (mergeOverwrite $defaults (deepCopy .service)) -}}
{{- end -}}

{{/*
Secrets as files: every `*_FILE` setting of `files` (setting -> {secretName, key}) is set to a path
under /var/run/secrets/txn/<secretName>/, where that Secret is mounted read-only. An entry with an
empty secretName is left out (an optional secret not used).
*/}}
{{- define "txn.secretFileEnv" -}}
{{- range $setting, $ref := .files }}
{{- if $ref.secretName }}
- name: {{ $setting }}
  value: {{ printf "/var/run/secrets/txn/%s/%s" $ref.secretName $ref.key | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "txn.secretNames" -}}
{{- $names := dict -}}
{{- range $setting, $ref := .files }}{{ if $ref.secretName }}{{ $_ := set $names $ref.secretName true }}{{ end }}{{ end -}}
{{- toYaml (keys $names | sortAlpha) -}}
{{- end -}}

{{- define "txn.secretVolumes" -}}
{{- range $name := fromYamlArray (include "txn.secretNames" .) }}
- name: secret-{{ $name }}
  secret:
    secretName: {{ $name }}
    # Explicit, not the default: podman 4.3's kube play dereferences it.
    optional: false
    defaultMode: 0440
{{- end }}
{{- end -}}

{{- define "txn.secretMounts" -}}
{{- range $name := fromYamlArray (include "txn.secretNames" .) }}
- name: secret-{{ $name }}
  mountPath: /var/run/secrets/txn/{{ $name }}
  readOnly: true
{{- end }}
{{- end -}}

{{/* The writable /tmp every container gets on its read-only root filesystem. */}}
{{- define "txn.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "txn.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Pod-level settings every pod of the chart shares (`.` the root, or {root, runAs: {user, group}} for an image with its own user). */}}
{{- define "txn.podCommon" -}}
{{- $root := default . .root -}}
{{- $context := deepCopy $root.Values.podSecurityContext -}}
{{- with .runAs }}{{ $context = mergeOverwrite $context (dict "runAsUser" .user "runAsGroup" .group "fsGroup" .group) }}{{ end -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml $context | nindent 2 }}
{{- with $root.Values.image.pullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Where a service's database is and who it logs in as (no password: that is a file). */}}
{{- define "txn.databaseEnv" -}}
- name: SERVICE_NAME
  value: {{ .name | quote }}
- name: DATABASE_HOST
  value: {{ tpl .root.Values.postgres.host .root | quote }}
- name: DATABASE_PORT
  value: {{ .root.Values.postgres.port | quote }}
- name: DATABASE_NAME
  value: {{ .service.database.name | quote }}
- name: DATABASE_USER
  value: {{ .service.database.user | quote }}
- name: LOG_LEVEL
  value: {{ .root.Values.logLevel | quote }}
{{- end -}}

{{/*
Egress rules: one per dependency, as {to, ports} in values. An empty `to` would mean "anywhere" to
Kubernetes, so a dependency with no peers gets no rule (nothing is reachable), never an open one.
*/}}
{{- define "txn.egressRule" -}}
{{- if .to }}
- to:
    {{- toYaml .to | nindent 4 }}
  ports:
    {{- range .ports }}
    - { protocol: TCP, port: {{ . }} }
    {{- end }}
{{- end }}
{{- end -}}

{{/* A deploy step: runs before any service starts, on install and on every upgrade, in weight order. */}}
{{- define "txn.hookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ .weight | quote }}
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end -}}

{{/* The Job around a deploy step's one container (its name, image, args and env come from the caller). */}}
{{- define "txn.jobSpec" -}}
backoffLimit: {{ .root.Values.deploySteps.backoffLimit }}
activeDeadlineSeconds: {{ .root.Values.deploySteps.activeDeadlineSeconds }}
template:
  metadata:
    labels:
      {{- include "txn.labels" (dict "root" .root "component" .component) | nindent 6 }}
      txn.platform/role: deploy-step
  spec:
    {{- include "txn.podCommon" .root | nindent 4 }}
    restartPolicy: Never
    containers:
      - name: {{ .component }}
        image: {{ .image }}
        imagePullPolicy: {{ .root.Values.image.pullPolicy }}
        args: {{- toYaml .args | nindent 10 }}
        env: {{- .env | nindent 10 }}
        resources:
          {{- toYaml .root.Values.deploySteps.resources | nindent 10 }}
        securityContext:
          {{- toYaml .root.Values.containerSecurityContext | nindent 10 }}
        volumeMounts:
          {{- include "txn.tmpMount" .root | nindent 10 }}
          {{- .mounts | nindent 10 }}
    volumes:
      {{- include "txn.tmpVolume" .root | nindent 6 }}
      {{- .volumes | nindent 6 }}
{{- end -}}

{{/*
Evaluation infrastructure must exist before the deploy steps (pre-install hooks) run, so it is a
hook itself, with the lowest weight. Hooks are not part of the release: `helm uninstall` leaves
them, and the README says how to remove them (by the release's instance label).
*/}}
{{- define "txn.evaluationHook" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ .Values.evaluation.weight | quote }}
helm.sh/hook-delete-policy: before-hook-creation
{{- end -}}
