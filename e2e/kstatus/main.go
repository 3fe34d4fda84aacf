// Command kstatus prints the kstatus result (InProgress, Current, Failed, ...) of one object, as Flux and kpt compute
// it, using the kstatus library itself: the e2e suite runs it against CrawlJobs on the real control plane.
//
//	kstatus KUBECONFIG GROUP/VERSION KIND NAMESPACE NAME
//
// It prints one line, "<status> <message>", and exits 0; it exits 1 with the error on stderr if the object cannot be
// read.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: kstatus KUBECONFIG GROUP/VERSION KIND NAMESPACE NAME")
		os.Exit(2)
	}
	kubeconfig, groupVersion, kind, namespace, name := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	if err := run(kubeconfig, groupVersion, kind, namespace, name); err != nil {
		fmt.Fprintln(os.Stderr, "kstatus:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, groupVersion, kind, namespace, name string) error {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		return err
	}
	gv, err := schema.ParseGroupVersion(groupVersion)
	if err != nil {
		return err
	}
	// The resource's plural: lower-case kind plus "s" holds for the kinds the suite asks about (crawljobs, spiders).
	resource := gv.WithResource(strings.ToLower(kind) + "s")
	object, err := client.Resource(resource).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	result, err := status.Compute(object)
	if err != nil {
		return err
	}
	fmt.Printf("%s %s\n", result.Status, result.Message)
	return nil
}
