{{/*
Name of the chart, or nameOverride.
*/}}
{{- define "kubecrawl.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified name of the release's resources. Truncated to 63 characters because some
Kubernetes name fields are limited to that (DNS-1123 labels); the Service name is one.
*/}}
{{- define "kubecrawl.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "kubecrawl.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every resource: the selector labels, the chart's own labels, then commonLabels
(which cannot override the first two).
*/}}
{{- define "kubecrawl.labels" -}}
{{- $labels := include "kubecrawl.selectorLabels" . | fromYaml }}
{{- $_ := set $labels "helm.sh/chart" (include "kubecrawl.chart" .) }}
{{- $_ = set $labels "app.kubernetes.io/version" (.Chart.AppVersion | toString) }}
{{- $_ = set $labels "app.kubernetes.io/managed-by" .Release.Service }}
{{- $_ = set $labels "app.kubernetes.io/part-of" "kubecrawl" }}
{{- toYaml (merge $labels (.Values.commonLabels | default (dict))) }}
{{- end }}

{{/*
Selector labels: they identify the operator pod and never change between upgrades.
*/}}
{{- define "kubecrawl.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubecrawl.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/*
Name of the ServiceAccount the operator runs as.
*/}}
{{- define "kubecrawl.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kubecrawl.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Operator image reference.
*/}}
{{- define "kubecrawl.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/*
Worker image reference, passed to the operator for the crawl pods.
*/}}
{{- define "kubecrawl.workerImage" -}}
{{- printf "%s:%s" .Values.worker.image.repository (.Values.worker.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/*
Name of the PersistentVolumeClaim holding the operator's stores.
*/}}
{{- define "kubecrawl.claimName" -}}
{{- if .Values.persistence.existingClaim }}
{{- .Values.persistence.existingClaim }}
{{- else }}
{{- printf "%s-data" (include "kubecrawl.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
Address (host:port) of the operator's gRPC Service, dialled by the worker pods.
*/}}
{{- define "kubecrawl.grpcAddress" -}}
{{- printf "%s.%s.svc:%d" (include "kubecrawl.fullname" .) .Release.Namespace (.Values.service.grpcPort | int) }}
{{- end }}

{{/*
Name of the Secret holding the gRPC serving certificate (kubernetes.io/tls layout, with ca.crt).
*/}}
{{- define "kubecrawl.grpcTlsSecretName" -}}
{{- default (printf "%s-grpc-tls" (include "kubecrawl.fullname" .) | trunc 63 | trimSuffix "-") .Values.tls.secretName }}
{{- end }}

{{/*
Whether the operator issues the gRPC certificate itself (TLS on, cert-manager off).
*/}}
{{- define "kubecrawl.operatorIssuesGrpcCertificate" -}}
{{- if and (not .Values.grpc.plaintext) (not .Values.tls.certManager.enabled) }}true{{- end }}
{{- end }}
