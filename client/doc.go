// Package client is the hand-written Go client for Partner Center's product-upgrade API,
// built on the generated package gen.
package client
