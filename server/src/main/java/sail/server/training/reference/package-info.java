/** π_ref: the frozen reference policy and its cache of reference log-probs of offline rows. */
package sail.server.training.reference;
