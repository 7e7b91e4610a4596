"""The organisers' studio (issue 17): content versions, and the content the processes serve."""
