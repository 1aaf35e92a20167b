/**
 * Installing and removing the kernelspec, and the class-data-sharing archive that makes the kernel start faster.
 */
package dev.easel.kernel.install;
