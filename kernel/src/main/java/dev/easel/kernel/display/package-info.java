/**
 * Where the display API of the magics module ({@code dev.easel.display}) meets the protocol: display data and
 * updates sent on IOPub for the running cell.
 */
package dev.easel.kernel.display;
